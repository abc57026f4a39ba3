import type { RequestHandler, Response } from 'express';
import { bodyOf, isNonEmptyString } from '../body';
import { sendMessage } from './errors';
import type { EdulasticClass, EdulasticStore, EdulasticUser, Teacher } from './store';

/** The user these credentials sign in, or undefined: an unknown login and a wrong password look the same. */
export function authenticate(store: EdulasticStore, username: string, password: string): EdulasticUser | undefined {
  const user = store.findUser(username.trim());
  return user && user.password === password ? user : undefined;
}

/** `POST /auth/login` for teachers (configured accounts) and students (created via enrollment). */
export function loginRoute(store: EdulasticStore): RequestHandler {
  return (req, res) => {
    const { username, password } = bodyOf(req);
    if (!isNonEmptyString(username)) return sendMessage(res, 400, 'username is required');
    if (!isNonEmptyString(password)) return sendMessage(res, 400, 'password is required');
    const user = authenticate(store, username, password);
    if (!user) return sendMessage(res, 401, 'Invalid username or password');
    res.json({
      result: {
        token: store.startSession(user),
        _id: user._id,
        role: user.role,
        username: user.username,
        districtIds: [store.districtId],
        institutionIds: user.role === 'student' ? user.institutionIds : [store.institutionId],
      },
    });
  };
}

/**
 * The raw token in `Authorization` (no `Bearer`): a `Bearer …` value is simply not a known token → 401.
 * Every API route besides login is a teacher action, so a student token gets 403.
 * Typed with plain string params so the route handlers after it keep `req.params.x: string`.
 */
export function requireTeacher(store: EdulasticStore): RequestHandler<Record<string, string>> {
  return (req, res, next) => {
    const token = req.get('authorization');
    const user = token ? store.userByToken(token) : undefined;
    if (!user) return sendMessage(res, 401, 'Unauthorized');
    if (user.role !== 'teacher') return sendMessage(res, 403, 'Forbidden');
    res.locals.teacher = user;
    next();
  };
}

export function teacherOf(res: Response): Teacher {
  return res.locals.teacher as Teacher;
}

/** The class if the calling teacher owns it; otherwise answers 404 / 403 and returns undefined. */
export function ownedClass(res: Response, found: EdulasticClass | undefined): EdulasticClass | undefined {
  if (!found) {
    sendMessage(res, 404, 'Class not found');
    return undefined;
  }
  if (!found.owners.includes(teacherOf(res)._id)) {
    sendMessage(res, 403, 'You do not own this class');
    return undefined;
  }
  return found;
}
