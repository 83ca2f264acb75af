/**
 * @tars-ts/plugin-node: `tars node` (the per-host node daemon) and `tars server` (the servers nodes manage).
 */
export {type ServerLayout, inside, serverLayout} from './layout.js';
export * from './supervisor/index.js';
