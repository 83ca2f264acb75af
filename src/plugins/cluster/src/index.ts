/**
 * @tars-ts/plugin-cluster: `tars cluster start|status|stop|reset`, a whole TARS cluster on one machine. The plan
 * (ports, data directory format, the node's command line for each base service) and the life of a cluster.
 */
export {
  CLUSTER_FILE, CLUSTER_FORMAT, type ClusterFile, EXTRA_PORTS, MANAGED_SERVICES, ROOT_SERVICES, type ServicePlan,
  clusterPlan, managedCommand, managedDataDir, nodeDataDir, parseClusterFile, portsNeeded, shellWord,
} from './plan.js';
export {
  Cluster, type ClusterOptions, type ClusterStatusJson, DEFAULT_WAIT_MS, type ServiceStatus, type StartAction,
  type StopOutcome,
} from './cluster.js';
