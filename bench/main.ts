/** Entry point of `npm run bench`: registers the path aliases, then runs. */
import './paths';
import './run';
