// The order of these imports matters: ES modules are evaluated in import order, so the stand-in
// navigator is in place while pg loads (see pg-navigator.ts), here and in the bundle, which
// inlines pg.
import { removeNavigatorStandIn } from './pg-navigator.js';
import pg from 'pg';

removeNavigatorStandIn();

export default pg;
