import { describeAdapterConformance, MARIADB, materializationSuite } from '@dvt/adapter-testkit';
import adapter from '../src/index.js';
import { localConfig } from './helpers.js';

describeAdapterConformance({ adapter, config: localConfig, requires: MARIADB, suites: [materializationSuite] });
