import type { ExamplesObject } from '@nestjs/swagger';

export const ASSIGN_DESCRIPTION = `
Makes an external test assignment for the given student (TimeBack PowerPath contract):
- Applies to 'test-out', 'placement', and 'unit-test' lessons (a ComponentResource whose Resource carries the lessonType).
- The tool comes from \`resource.metadata.toolProvider\`:
  - **edulastic**: signs the student up by email (with a generated password when new), assigns the test
    (\`resource.vendorId\`) in the lesson's class, stores \`assignmentId\` + \`classId\` on the lesson's
    AssessmentResult and returns the link, the credentials and the ids.
  - **mastery-track**: assigns \`testId\` when given, else the next test of the resource's subject + grade, passing
    the line item and result sourcedIds so MasteryTrack writes the score back; stores \`assignmentId\`.
- Repeating the call for the same student, lesson and attempt returns the stored assignment without calling the tool;
  a finalized attempt (or a closed one: an Edulastic submission graded with a question skipped) makes the next call
  start the next attempt.

Errors: 400 malformed body / unknown field; 404 unknown student or lesson; 409 another request is assigning the same
attempt, or a request of a student who no longer has this student's email still uses its tool user (retry after
\`Retry-After\`); 422 not a student, no email, an email that is another student's user at the tool, a disabled student
(enabledUser false), not an external test lesson, unsupported tool, missing vendorId / subject + grade, unknown
applicationName, or the tool rejected the test; 502/503/504 the tool failed.
`;

export const ASSIGN_REQUEST_EXAMPLES: ExamplesObject = {
  masteryTrack: {
    summary: 'MasteryTrack test-out (subject + grade from the resource)',
    value: { student: 'student-mt-1', lesson: 'lesson-mt-test-out' },
  },
  masteryTrackTestId: {
    summary: "MasteryTrack with an explicit test (the sandbox's Math G4.4), no enrollment afterwards",
    value: {
      student: 'student-mt-1',
      lesson: 'lesson-mt-placement',
      // A test the MasteryTrack sandbox of `npm start` has (libs/sandbox default-tests: Math grade 4, form 4).
      testId: '_ed8311f3e4e8e475848f05c7',
      skipCourseEnrollment: true,
    },
  },
  edulasticTestOut: {
    summary: 'Edulastic test-out (mastered, it enrols the student in grade 5)',
    value: { student: 'student-edu-1', lesson: 'lesson-edu-test-out' },
  },
  edulastic: {
    summary: 'Edulastic unit test',
    value: { student: 'student-edu-1', lesson: 'lesson-edu-unit-test' },
  },
};

export const ASSIGN_RESPONSE_EXAMPLES: ExamplesObject = {
  masteryTrack: {
    summary: 'MasteryTrack',
    value: {
      toolProvider: 'mastery-track',
      lessonType: 'test-out',
      attempt: 1,
      assignmentId: '123',
      classId: '',
      testUrl: 'https://masterytrack.ai/assignment/123',
      testId: '123',
    },
  },
  edulastic: {
    summary: 'Edulastic',
    value: {
      toolProvider: 'edulastic',
      lessonType: 'unit-test',
      attempt: 1,
      credentials: { email: 'ada.student@example.org', password: 'q3Jk2nV8xYb0pL5sT9wZcA' },
      assignmentId: '65f1c0ffee0123456789abcd',
      classId: '65f1c0ffee0123456789abce',
      testUrl: 'https://app.edulastic.com/assignments/embed/65f1c0ffee0123456789abcf',
      testId: '65f1c0ffee0123456789abcf',
    },
  },
};
