import { Router, type Response } from 'express';
import { bodyOf, isNonEmptyString, isPlainObject, toInteger, type JsonObject } from '../body';
import { objectId } from '../ids';
import { ownedClass, requireTeacher, teacherOf } from './auth';
import { sendMessage } from './errors';
import type { EdulasticAssignment, EdulasticClass, EdulasticStore } from './store';
import { isStringArray, missingField } from './validation';
import { assignmentView, studentView, testActivityView } from './views';

/** Assignment settings kept and echoed back; anything else the client sends is ignored. */
const SETTINGS = [
  'startDate',
  'endDate',
  'dueDate',
  'openPolicy',
  'closePolicy',
  'testType',
  'maxAttempts',
  'releaseScore',
  'assignedBy',
  'testVersionId',
  'termId',
] as const;

type Target = EdulasticAssignment['classes'][number];

/** Students whose activities page 0 of a class gradebook holds (Edulastic's teacher app asks for the rest 40 at a time). */
export const GRADEBOOK_PAGE_SIZE = 40;

/** `/assignments/v2/assign`, `/assignments/test/:testId` and the class gradebook (`…/test-activity`). */
export function assignmentRouter(store: EdulasticStore): Router {
  const router = Router();
  const auth = requireTeacher(store);

  router.post('/assignments/v2/assign', auth, (req, res) => {
    const body = bodyOf(req);
    const missing = missingField(body, ['assignments', 'filters']);
    if (missing) return sendMessage(res, 400, missing);
    const { assignments, filters } = body;
    if (!Array.isArray(assignments)) return sendMessage(res, 400, 'assignments must be an array');
    if (!isPlainObject(filters)) return sendMessage(res, 400, 'filters must be an object');
    const missingGroups = missingField(filters, ['groups']);
    if (missingGroups) return sendMessage(res, 400, `filters.${missingGroups}`);
    if (!isStringArray(filters.groups)) return sendMessage(res, 400, 'filters.groups must be an array of class ids');

    const specs: { spec: JsonObject; testId: string }[] = [];
    for (const spec of assignments) {
      if (!isPlainObject(spec) || !isNonEmptyString(spec.testId)) return sendMessage(res, 400, 'testId is required');
      const test = store.test(spec.testId);
      if (!test) return sendMessage(res, 404, 'Test not found');
      specs.push({ spec, testId: test.id });
    }
    const targets = resolveTargets(res, store, [...new Set(filters.groups)], filters.students);
    if (!targets) return;

    const commonStudents = new Set<string>();
    for (const { testId } of specs) {
      for (const t of targets) {
        for (const studentId of t.studentIds) {
          if (store.assignmentsCovering(testId, t.classId, studentId).length > 0) {
            commonStudents.add(studentId);
          }
        }
      }
    }
    if (commonStudents.size > 0) {
      return sendMessage(res, 409, 'Assignment already exists', { commonStudents: [...commonStudents] });
    }

    const created = specs.map(({ spec, testId }) => {
      const assignment: EdulasticAssignment = {
        _id: objectId(),
        testId,
        createdBy: teacherOf(res)._id,
        settings: Object.fromEntries(SETTINGS.filter((k) => spec[k] !== undefined).map((k) => [k, spec[k]])),
        classes: targets.map((t) => ({ classId: t.classId, studentIds: [...t.studentIds] })),
        createdAt: Date.now(),
      };
      store.assignments.set(assignment._id, assignment);
      return assignmentView(store, assignment);
    });
    res.json({ assignments: created, message: 'SYNCHRONOUS_ASSIGN' });
  });

  router.get('/assignments/test/:testId', auth, (req, res) => {
    const mine = [...store.assignments.values()].filter(
      (a) => a.createdBy === teacherOf(res)._id && a.testId.toLowerCase() === req.params.testId.toLowerCase(),
    );
    res.json({ result: mine.map((a) => assignmentView(store, a)) });
  });

  /**
   * The class gradebook, paged as the real one (contract §5): page 0 lists every student of the class (in the order
   * they joined it), the assignment's activities of the first `GRADEBOOK_PAGE_SIZE` and the ids of the rest in
   * `leftOverStudents`; a later page answers the activities of the students its `leftOverStudents` names (those of
   * this class). A page 1 without `leftOverStudents`, as the shared contract's §5 reads the gradebook, gets the whole
   * class on one page, and a later one nothing, as before.
   */
  router.post('/assignments/:assignmentId/classes/:classId/test-activity', auth, (req, res) => {
    const { page, leftOverStudents } = bodyOf(req);
    const pageNumber = page === undefined ? 0 : toInteger(page);
    if (pageNumber === undefined || pageNumber < 0) return sendMessage(res, 400, 'page must be a non-negative integer');
    const asked: unknown = leftOverStudents ?? [];
    if (!Array.isArray(asked) || !asked.every(isNonEmptyString))
      return sendMessage(res, 400, 'leftOverStudents must be an array of user ids');
    const assignment = store.assignments.get(req.params.assignmentId);
    if (!assignment) return sendMessage(res, 404, 'Assignment not found');
    const target = assignment.classes.find((c) => c.classId === req.params.classId);
    if (!target) return sendMessage(res, 404, 'Class not found for this assignment');
    const group = ownedClass(res, store.classes.get(target.classId));
    if (!group) return;

    // The class's roster, as the real class board shows it (those the assignment left out have no activity).
    const roster = group.studentIds;
    // The shared contract's one page (`{"page": 1}`, no leftOverStudents) is still answered whole, and its later
    // pages empty, so a client that pages until it sees no students stops.
    const contractPage = leftOverStudents === undefined && pageNumber === 1;
    const first = pageNumber === 0;
    const listed = first || contractPage ? roster : roster.filter((id) => asked.includes(id));
    const read = first ? roster.slice(0, GRADEBOOK_PAGE_SIZE) : listed;
    const activities = read.flatMap((id) => store.activity(assignment._id, id) ?? []);
    res.json({
      students: listed.flatMap((id) => store.students.get(id) ?? []).map(studentView),
      testActivities: activities.map(testActivityView),
      testQuestionActivities: activities.flatMap((a) => a.questions),
      ...(first && { leftOverStudents: roster.slice(GRADEBOOK_PAGE_SIZE) }),
    });
  });

  return router;
}

/**
 * The students each class gets: those listed in `filters.students` for it, else the whole class.
 * Answers 400/403/404 and returns undefined when a class or student does not fit.
 */
function resolveTargets(
  res: Response,
  store: EdulasticStore,
  classIds: string[],
  studentFilters: unknown,
): Target[] | undefined {
  const given: unknown = studentFilters ?? [];
  if (!Array.isArray(given) || !given.every((f) => isPlainObject(f) && isNonEmptyString(f.groupId))) {
    sendMessage(res, 400, 'filters.students must be an array of {groupId, studentsToAssign}');
    return undefined;
  }
  const filters = given as { groupId: string; studentsToAssign?: unknown }[];
  const stray = filters.find((f) => !classIds.includes(String(f.groupId)));
  if (stray) {
    sendMessage(res, 400, `filters.students groupId ${String(stray.groupId)} is not in filters.groups`);
    return undefined;
  }
  const targets: Target[] = [];
  for (const classId of classIds) {
    const found: EdulasticClass | undefined = ownedClass(res, store.classes.get(classId));
    if (!found) return undefined;
    const entry = filters.find((f) => f.groupId === classId);
    const requested: unknown = entry ? entry.studentsToAssign : found.studentIds;
    if (!isStringArray(requested)) {
      sendMessage(res, 400, 'studentsToAssign must be an array of student ids');
      return undefined;
    }
    const outsider = requested.find((id) => !found.studentIds.includes(id));
    if (outsider) {
      sendMessage(res, 400, `Student ${outsider} is not enrolled in class ${classId}`);
      return undefined;
    }
    targets.push({ classId, studentIds: [...new Set(requested)] });
  }
  if (targets.every((t) => t.studentIds.length === 0)) {
    sendMessage(res, 400, 'No students to assign');
    return undefined;
  }
  return targets;
}
