import type { TagObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * The document's tags, in the order a reader follows: get a token, the PowerPath calls, then the OneRoster data
 * they rely on (rostering, resources, gradebook), subject tracks, health. Swagger UI lists tags in this order.
 */
export const TAGS: readonly TagObject[] = [
  {
    name: 'Auth (development issuer)',
    description:
      'OAuth2 client-credentials tokens of the development issuer (`AUTH_DEV_ISSUER=true`, never in production). ' +
      'In Swagger UI, **Authorize → oauth2** calls it for you.',
  },
  {
    name: 'PowerPath - Course Mastery',
    description:
      'TimeBack PowerPath: assign a test-out, placement or unit test on Edulastic or MasteryTrack ' +
      '(makeExternalTestAssignment), author those lessons, import results, attempts and progress.',
  },
  { name: 'OneRoster - Orgs', description: 'OneRoster 1.2 rostering: schools and districts.' },
  { name: 'OneRoster - Users', description: 'OneRoster 1.2 rostering: students and teachers (with their role orgs).' },
  {
    name: 'OneRoster - Courses',
    description: 'OneRoster 1.2 rostering: courses; `subjects` and `grades` drive tests.',
  },
  { name: 'OneRoster - Classes', description: 'OneRoster 1.2 rostering: classes of a course.' },
  { name: 'OneRoster - Enrollments', description: 'OneRoster 1.2 rostering: a user in a class.' },
  { name: 'OneRoster - Course components', description: 'OneRoster 1.2 rostering: units of a course.' },
  {
    name: 'OneRoster - Component resources (lessons)',
    description:
      'OneRoster 1.2 rostering: lessons — a resource placed in a unit; the lesson of makeExternalTestAssignment.',
  },
  {
    name: 'OneRoster - Resources',
    description:
      'OneRoster 1.2 resources: what a lesson delivers; `metadata` carries toolProvider, lessonType, subject, grades, vendorId.',
  },
  {
    name: 'OneRoster - Assessment line items',
    description: 'OneRoster 1.2 gradebook: what is scored (one per external test lesson and attempt).',
  },
  {
    name: 'OneRoster - Assessment results',
    description: "OneRoster 1.2 gradebook: a student's score; MasteryTrack writes back here (PUT).",
  },
  {
    name: 'EduBridge - Subject tracks',
    description: 'The course a student is enrolled in after a placement or test-out, by subject and grade.',
  },
  { name: 'Health', description: 'Probes for load balancers and orchestrators; no token.' },
];
