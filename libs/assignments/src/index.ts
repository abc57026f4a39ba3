export * from './assignments-options';
export * from './assignments.module';
export * from './assignment.service';
export * from './dto/make-external-test-assignment.dto';
export * from './dto/external-test-assignment.dto';
