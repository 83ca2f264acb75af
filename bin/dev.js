#!/usr/bin/env -S node --conditions=tars-dev
import {execute} from '@oclif/core';

await execute({development: true, dir: import.meta.url});
