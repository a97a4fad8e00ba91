import { describeAdapterConformance, materializationSuite } from '@dvt/adapter-testkit';
import adapter from '../src/index.js';

describeAdapterConformance({ adapter, config: { path: ':memory:' }, suites: [materializationSuite] });
