import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '../../tooling/vitest-modes.js';

export default defineConfig(packageTestConfig());
