'use strict';
// Cucumber loads formatters with import(); this CommonJS shim hands it the TypeScript reporter,
// which the already-registered ts-node compiles.
module.exports = require('./allure-reporter.ts').default;
