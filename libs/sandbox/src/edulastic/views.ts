import type { EdulasticAssignment, EdulasticClass, EdulasticStore, Student, TestActivity } from './store';

export function classView(c: EdulasticClass) {
  const { studentIds: _studentIds, ...fields } = c;
  return fields;
}

export function studentView(s: Student) {
  return { _id: s._id, email: s.email, username: s.username, firstName: s.firstName, lastName: s.lastName };
}

/** `students` (top level) is every assigned student; each `class` entry lists its own. */
export function assignmentView(store: EdulasticStore, a: EdulasticAssignment) {
  return {
    ...a.settings,
    _id: a._id,
    testId: a.testId,
    class: a.classes.map((c) => ({
      _id: c.classId,
      name: store.classes.get(c.classId)?.name,
      students: c.studentIds,
    })),
    students: [...new Set(a.classes.flatMap((c) => c.studentIds))],
    createdAt: a.createdAt,
  };
}

export function testActivityView(t: TestActivity) {
  const { questions: _questions, ...fields } = t;
  return fields;
}
