import { Router } from 'express';
import { bodyOf, isNonEmptyString } from '../body';
import { objectId } from '../ids';
import { ownedClass, requireTeacher, teacherOf } from './auth';
import { sendMessage } from './errors';
import type { EdulasticStore } from './store';
import { isStringArray, missingField } from './validation';
import { classView } from './views';

const isOptionalMs = (v: unknown): v is number | undefined => v === undefined || Number.isFinite(v);

/** Classes, student accounts and enrolment: `/group`, `/group/mygroups` (ours), `/enrollment/user`, `/user/…`. */
export function classRouter(store: EdulasticStore): Router {
  const router = Router();
  const auth = requireTeacher(store);

  router.post('/group', auth, (req, res) => {
    const body = bodyOf(req);
    const missing = missingField(body, ['name', 'type', 'districtId', 'institutionId', 'owners']);
    if (missing) return sendMessage(res, 400, missing);
    const { name, description, type, districtId, institutionId, owners, subject, grades, startDate, endDate } = body;
    if (type !== 'class' && type !== 'custom') return sendMessage(res, 400, 'type must be "class" or "custom"');
    if (description !== undefined && typeof description !== 'string')
      return sendMessage(res, 400, 'description must be a string');
    if (!isStringArray(owners)) return sendMessage(res, 400, 'owners must be an array of user ids');
    if (grades !== undefined && !isStringArray(grades))
      return sendMessage(res, 400, 'grades must be an array of strings');
    if (!isOptionalMs(startDate) || !isOptionalMs(endDate)) {
      return sendMessage(res, 400, 'startDate and endDate must be epoch milliseconds');
    }
    const created = store.createClass({
      name: String(name),
      description,
      type,
      districtId: String(districtId),
      institutionId: String(institutionId),
      owners,
      subject: typeof subject === 'string' ? subject : undefined,
      grades,
      startDate,
      endDate,
    });
    res.json({ result: classView(created) });
  });

  // (ours, after the web client's groups API) The calling teacher's classes.
  router.get('/group/mygroups', auth, (_req, res) => {
    const mine = [...store.classes.values()].filter((c) => c.owners.includes(teacherOf(res)._id));
    res.json({ result: mine.map(classView) });
  });

  router.post('/enrollment/user', auth, (req, res) => {
    const body = bodyOf(req);
    const missing = missingField(body, ['classCode', 'role', 'email', 'password', 'firstName']);
    if (missing) return sendMessage(res, 400, missing);
    const { classCode, role, email, username, password, firstName, lastName, institutionIds } = body;
    if (role !== 'student') return sendMessage(res, 400, 'role must be "student"');
    const target = ownedClass(res, store.classByCode(String(classCode)));
    if (!target) return;
    const login = isNonEmptyString(username) ? username.trim() : String(email).trim();
    const existing = store.findUser(String(email).trim()) ?? store.findUser(login);
    if (existing) return sendMessage(res, 409, 'User already exists', { result: { userId: existing._id } });

    const student = {
      role: 'student' as const,
      _id: objectId(),
      email: String(email).trim(),
      username: login,
      password: String(password),
      firstName: String(firstName),
      lastName: typeof lastName === 'string' ? lastName : '',
      institutionIds: isStringArray(institutionIds) ? institutionIds : [target.institutionId],
    };
    store.addStudent(student);
    target.studentIds.push(student._id);
    res.json({ result: { userId: student._id, classCode: target.code } });
  });

  router.post('/user/:classCode/class-students', auth, (req, res) => {
    const { userDetails } = bodyOf(req);
    if (!Array.isArray(userDetails) || userDetails.length === 0)
      return sendMessage(res, 400, 'userDetails is required');
    const target = ownedClass(res, store.classByCode(req.params.classCode));
    if (!target) return;
    const students = [];
    for (const login of userDetails) {
      const user = typeof login === 'string' ? store.findUser(login.trim()) : undefined;
      if (user?.role !== 'student') return sendMessage(res, 404, `Student not found: ${String(login)}`);
      students.push(user);
    }
    for (const s of students) if (!target.studentIds.includes(s._id)) target.studentIds.push(s._id);
    res.json({ result: { classCode: target.code, students: students.map((s) => ({ _id: s._id, email: s.email })) } });
  });

  router.put('/user/:studentId/password', auth, (req, res) => {
    const { password } = bodyOf(req);
    if (!isNonEmptyString(password)) return sendMessage(res, 400, 'password is required');
    const student = store.students.get(req.params.studentId);
    if (!student) return sendMessage(res, 404, 'User not found');
    student.password = password;
    res.json({ result: { _id: student._id } });
  });

  return router;
}
