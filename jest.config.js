/** One Jest run for everything: unit specs beside the code, e2e specs in test/. */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|m?j)s$': ['@swc/jest'] },
  // ESM-only packages that Node 20 loads through require(esm) but Jest's module system does not.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  moduleNameMapper: {
    '^@app/(contracts|database|platform|scim|events)(.*)$': '<rootDir>/libs/$1/src$2',
    '^@test/support(.*)$': '<rootDir>/test/support$1',
  },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
