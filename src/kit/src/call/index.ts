// What `tars call`, `tars describe` and the console's interface debugger share: finding an interface (.tars files on
// disk or in memory, the patch store, reflection), converting JSON arguments to it, and the dynamic call. It loads
// the runtime (@tars-ts/core), so the kit's index gives it through loadCallKit(), imported when a command runs.
export {argsFromObject, argsTemplate, buildArgs} from './call-args.js';
export {
  type DeployedInterface, type ResolvedInterface, chooseInterface, deployedInterfaceOf, describeByReflection,
  findOperation, interfacesFromText, localIdlFiles, patchInterfaceFiles, resolveInterface, signature,
} from './call-interface.js';
export {type CallResultJson, invokeJson} from './invoke.js';
export {formatInterface} from './interface-text.js';
