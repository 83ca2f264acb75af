/**
 * @tars-ts/plugin-registry: the TARS registry. Its core is storage-free: rows (the shape a store holds) -> an
 * immutable snapshot index that answers QueryF as tarsregistry does, the servants of QueryObj / RegistryObj /
 * AdminRegObj over an abstract {@link RegistryRepository}, and an in-memory repository.
 *
 * The durable repository (SqlRegistryRepository, openRegistryStore in ./sql-repository.ts) is deliberately not
 * exported here: it loads the kit's store (Kysely), which whatever imports this entry without keeping state should
 * not pay for; the registry daemon imports that module itself.
 */
export * from './rows.js';
export {IdcGroups, type PriorityEntry} from './idc-groups.js';
export {
  DEFAULT_NODE_TIMEOUT_MS, type EndpointLists, MIN_NODE_TIMEOUT_MS, type QueryAnswer, RegistrySnapshot,
  type SnapshotOptions,
} from './registry-snapshot.js';
export {type Clock, RegistryModel, type RegistryModelOptions, systemClock} from './registry-model.js';
export type {
  NodeLoad, NodeRegistration, RegistryRepository, ServerFilter, ServerStateUpdate, ServerWithAdapters,
} from './repository.js';
export {MemoryRegistryRepository} from './memory-repository.js';
export {DEFAULT_NODE_TIMEOUT_INTERVAL_MS, RegistryService, type RegistryServiceOptions} from './registry-service.js';
export {QUERY_OBJ, QueryServant, callerHost} from './query-servant.js';
export {RegistryObjServant, presentStateOf, serverDescriptorOf, sqlTime} from './registry-servant.js';
export {ADMIN_REG_OBJ, type AdminRegOptions, AdminRegServant} from './admin-reg-servant.js';
export {
  CommunicatorNodeChannel, type CommunicatorNodeChannelOptions, DEFAULT_NODE_CALL_TIMEOUT_MS, type NodeChannel,
  type NodeLink,
} from './node-channel.js';
