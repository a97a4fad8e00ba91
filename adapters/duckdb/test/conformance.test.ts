import { describeAdapterConformance } from '@dvt/adapter-testkit';
import adapter from '../src/index.js';

describeAdapterConformance({ adapter, config: { path: ':memory:' } });
