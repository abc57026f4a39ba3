import { objectId } from '../ids';
import { submittedActivity, type Answer } from './activity';
import type { EdulasticAssignment, EdulasticStore, GradingStatus, Student, TestActivity } from './store';

export type SubmissionResult = { activity: TestActivity } | { status: number; message: string };

/**
 * Records the student's submitted attempt of an assignment (the control API's `submit` and the student page both
 * come here). Submitting again replaces the attempt under the same activity id.
 */
export function recordSubmission(
  store: EdulasticStore,
  assignment: EdulasticAssignment,
  student: Student,
  answers: (Answer | null)[],
  graded: GradingStatus,
  endDate = Date.now(),
): SubmissionResult {
  const target = assignment.classes.find((c) => c.studentIds.includes(student._id));
  if (!target) return { status: 400, message: 'Student is not assigned to this assignment' };
  const test = store.test(assignment.testId);
  if (!test) return { status: 404, message: 'Test not found' };
  const activity = submittedActivity({
    activityId: store.activity(assignment._id, student._id)?._id ?? objectId(),
    userId: student._id,
    assignmentId: assignment._id,
    groupId: target.classId,
    test,
    answers,
    graded,
    endDate,
  });
  store.saveActivity(activity);
  return { activity };
}

/** The student's assignment of this test they have not submitted yet (the newest, e.g. a retake's), if any. */
export function openAssignmentOf(
  store: EdulasticStore,
  testId: string,
  student: Student,
): EdulasticAssignment | undefined {
  return [...store.assignments.values()]
    .filter(
      (a) =>
        a.testId.toLowerCase() === testId.toLowerCase() &&
        a.classes.some((c) => c.studentIds.includes(student._id)) &&
        store.activity(a._id, student._id) === undefined,
    )
    .sort((a, b) => b.createdAt - a.createdAt)[0];
}
