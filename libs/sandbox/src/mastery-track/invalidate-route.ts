import type { RequestHandler } from 'express';
import { bodyOf, isNonEmptyString, toInteger } from '../body';
import type { MasteryTrackContext } from './context';
import { sendError } from './errors';
import { isGradeRank } from './grades';
import { equalsIgnoreCase, isActive, type MasteryTrackAssignment } from './store';

type Criterion = { label: string; matches: (a: MasteryTrackAssignment) => boolean };

/**
 * `POST /delivery/assignments/invalidate`: every active assignment of the student matching all given
 * criteria becomes INVALIDATED. This endpoint's errors carry no `code`, as documented.
 */
export function invalidateRoute(ctx: MasteryTrackContext): RequestHandler {
  return (req, res) => {
    const body = bodyOf(req);
    if (!isNonEmptyString(body.student_email)) return sendError(res, 400, 'student_email is required');
    const email = body.student_email.trim();
    const criteria: Criterion[] = [];

    if (body.assignment_id !== undefined) {
      const id = toInteger(body.assignment_id);
      if (id === undefined || id < 1) return sendError(res, 400, 'assignment_id must be a valid positive number');
      criteria.push({ label: `assignment_id: ${id}`, matches: (a) => a.id === id });
    }
    const timebackId = body.timeback_id;
    if (isNonEmptyString(timebackId)) {
      criteria.push({
        label: `timeback_id: ${timebackId}`,
        matches: (a) => equalsIgnoreCase(a.test.timeback_id, timebackId),
      });
    }
    const subject = body.subject;
    if (isNonEmptyString(subject) && body.grade_rank !== undefined) {
      const rank = toInteger(body.grade_rank);
      if (!isGradeRank(rank)) return sendError(res, 400, 'grade_rank must be a valid number between 0-12');
      criteria.push({
        label: `subject: ${subject}, grade_rank: ${rank}`,
        matches: (a) => equalsIgnoreCase(a.test.subject, subject) && a.test.grade_rank === rank,
      });
    }
    if (criteria.length === 0) {
      return sendError(res, 400, 'Either assignment_id, timeback_id, or (subject and grade/grade_rank) is required');
    }

    // MasteryTrack creates its users on first assignment, so a student it never saw "does not exist".
    const own = ctx.store.forStudent(email);
    if (own.length === 0) return sendError(res, 404, `Student with email ${email} does not exist in timeback`);
    const matched = own.filter((a) => isActive(a) && criteria.every((c) => c.matches(a)));
    if (matched.length === 0) {
      const labels = criteria.map((c) => c.label).join(', ');
      return sendError(res, 404, `No active assignments found for student ${email} with criteria: ${labels}`);
    }
    for (const a of matched) a.status = 'INVALIDATED';
    res.json({
      success: true,
      data: {
        message: 'Assignment(s) invalidated successfully.',
        total_invalidated: matched.length,
        invalidated_assignments: matched.map((a) => ({ assignment_id: a.id, student_email: a.studentEmail })),
      },
    });
  };
}
