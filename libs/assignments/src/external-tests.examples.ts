import type { ExamplesObject } from '@nestjs/swagger';

const COMMON = `
Creates or updates (when they exist) the three objects that make the lesson, in one transaction: a CourseComponent
(unit) of the course, a Resource whose \`metadata\` carries \`lessonType\`, \`toolProvider\`, \`subject\`, \`grades\`,
\`vendorId\` (also the Resource's \`vendorId\`), \`launchUrl\`, \`courseIdOnFail\`, \`xp\` and \`description\`, and the
ComponentResource that is the lesson (its \`lessonType\` column set too). The lesson works with
makeExternalTestAssignment at once; results come back through importExternalTestAssignmentResults or MasteryTrack's
write-back.

- The body is either input, told apart by \`lessonType\` (the contract's oneOf, on both endpoints): \`test-out\` makes
  the course's test-out lesson (one per course), \`placement\` its placement lesson for the first of \`grades\`
  (one per course and grade).
- Calling again for the same course (and grade) updates that lesson: same ids, fields as the body says (an
  optional field left out is removed from the metadata; titles are kept). A test-out or placement the course
  already had (made through OneRoster) becomes the one updated. Parallel calls end with one lesson.
- **The subject is taken from the course's \`subjects\`** (the first); MasteryTrack picks its test by subject and
  grade, so a MasteryTrack lesson in a course without subjects is refused (422). Edulastic lessons need
  \`vendorId\` (the test id). \`resourceMetadata\` may only be null (as the contract declares it).

Errors: 400 malformed body, unknown field (a test-out body carries no \`courseIdOnFail\`), missing \`xp\` on a
test-out; 404 the course, \`courseIdOnFail\` or \`courseComponentSourcedId\` does not exist (or is outside the
token's org); 422 the course's existing lesson for this target has another \`toolProvider\` (update its Resource
first), the unit belongs to another course, a placement without grades, or the lesson would not work with its tool
(no subject, grade outside K–12 for MasteryTrack, no vendorId for Edulastic).
`;

export const CREATE_PLACEMENT_DESCRIPTION = `
Creates or updates a placement test lesson of a course on an external tool (TimeBack PowerPath contract).
${COMMON}
\`courseIdOnFail\`: a student who finishes the placement below 90 % is enrolled in that course; omitted or null,
the enrollment policy places them by subject track (grade) instead — exactly as for lessons loaded through OneRoster.
`;

export const CREATE_TEST_OUT_DESCRIPTION = `
**Deprecated upstream** (TimeBack moves test-outs to an on-demand flow); kept for existing clients.

Creates or updates the test-out lesson of a course on an external tool (TimeBack PowerPath contract).
${COMMON}
A test-out of 90 % or more enrolls the student in the next grade's subject track; below 90 % it never enrolls.
`;

export const TEST_OUT_DESCRIPTION = `
**Deprecated upstream** (TimeBack moves to getCourseProgress); kept for existing clients.

The test-out lesson of the course for the student: the one createExternalTestOut made, else the course's first
active test-out lesson. \`lessonId\` is null when the course has none. Once the test was assigned, the answer carries
the assignment's tool fields from what was recorded (the tool is not asked: import the results first for an
Edulastic test) — \`credentials\` only for create/put callers — and \`finalized\` is true once the attempt is.
`;

export const CREATE_EXTERNAL_TEST_EXAMPLES: ExamplesObject = {
  masteryTrackPlacement: {
    summary: 'MasteryTrack placement for grade 5 (subject Math from course-math-5), fallback course on failure',
    value: {
      lessonType: 'placement',
      courseId: 'course-math-5',
      toolProvider: 'mastery-track',
      grades: ['5'],
      lessonTitle: 'Math 5 placement (MasteryTrack)',
      courseIdOnFail: 'course-math-remedial',
    },
  },
  edulasticPlacement: {
    summary: 'Edulastic placement for grade 3 (vendorId: the Edulastic test)',
    value: {
      lessonType: 'placement',
      courseId: 'course-math-3',
      toolProvider: 'edulastic',
      vendorId: '65a1f0c2e4b0a1b2c3d4e505',
      grades: ['3'],
      lessonTitle: 'Math 3 placement (Edulastic)',
      courseIdOnFail: 'course-math-remedial',
    },
  },
  masteryTrackTestOut: {
    summary: 'MasteryTrack test-out of course-math-5',
    value: {
      lessonType: 'test-out',
      courseId: 'course-math-5',
      toolProvider: 'mastery-track',
      grades: ['5'],
      xp: 100,
      lessonTitle: 'Math 5 test-out (MasteryTrack)',
    },
  },
  edulasticTestOut: {
    summary: 'Edulastic test-out of course-math-3',
    value: {
      lessonType: 'test-out',
      courseId: 'course-math-3',
      toolProvider: 'edulastic',
      vendorId: '65a1f0c2e4b0a1b2c3d4e506',
      grades: ['3'],
      xp: 100,
      lessonTitle: 'Math 3 test-out (Edulastic)',
    },
  },
};

/** The placement examples first on createExternalPlacementTest, the test-out ones first on createExternalTestOut. */
export const PLACEMENT_EXAMPLES = pick([
  'masteryTrackPlacement',
  'edulasticPlacement',
  'masteryTrackTestOut',
  'edulasticTestOut',
]);
export const TEST_OUT_EXAMPLES = pick([
  'masteryTrackTestOut',
  'edulasticTestOut',
  'masteryTrackPlacement',
  'edulasticPlacement',
]);

export const EXTERNAL_TEST_LESSON_EXAMPLES: ExamplesObject = {
  placement: {
    summary: 'Placement',
    value: {
      lessonType: 'placement',
      lessonId: '0b7e6a52-2f57-4d8e-9a43-3c1c4f0f8d21',
      courseComponentId: '5f0c0a3e-8d7b-4a55-b8a4-0c9a1f6d2e11',
      resourceId: 'c2d9e1f4-6b3a-4e7c-9f21-7a8b5c4d3e10',
      toolProvider: 'edulastic',
      vendorId: '65a1f0c2e4b0a1b2c3d4e505',
      courseIdOnFail: 'course-math-remedial',
      grades: ['3'],
    },
  },
  testOut: {
    summary: 'Test-out',
    value: {
      lessonType: 'test-out',
      lessonId: '9a4c2e7b-1d3f-4b6a-8e5c-2f7d9b1a3c40',
      courseComponentId: 'e3b1c5d7-9f2a-4c6e-8b4d-1a3c5e7f9b20',
      resourceId: '7d5f3b1a-2c4e-4a6b-9d8f-0e2c4a6b8d30',
      toolProvider: 'mastery-track',
      grades: ['5'],
    },
  },
};

function pick(order: (keyof typeof CREATE_EXTERNAL_TEST_EXAMPLES)[]): ExamplesObject {
  return Object.fromEntries(order.map((k) => [k, CREATE_EXTERNAL_TEST_EXAMPLES[k]]));
}
