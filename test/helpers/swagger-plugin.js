// ts-jest AST transformer running the @nestjs/swagger CLI plugin, so tests see the same DTO metadata as the build.
const transformer = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (cs) =>
  transformer.before(
    { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] },
    cs.program ?? (cs.tsCompiler && cs.tsCompiler.program),
  );
