#!/usr/bin/env node
// The package's `strongroom-verify` bin: loads the TypeScript verifier through tsx.
import { register } from 'tsx/esm/api'

register()
await import('./verify-bundle.ts')
