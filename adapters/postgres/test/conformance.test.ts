import { describeAdapterConformance, materializationSuite, POSTGRES } from '@dvt/adapter-testkit';
import adapter from '../src/index.js';
import { localConfig } from './helpers.js';

describeAdapterConformance({ adapter, config: localConfig, requires: POSTGRES, suites: [materializationSuite] });
