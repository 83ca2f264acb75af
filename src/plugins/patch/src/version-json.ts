// A version as `tars patch upload|list --json` print it: the kit's (the web console shows the same), kept under this
// name for the patch plugin's modules.
export {type VersionJson, bytesText, versionJson} from '@tars-ts/kit';
