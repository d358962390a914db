import 'reflect-metadata';
import { runKqlgate } from './runtime/run-kqlgate.js';

/** `npm start`: kqlgate for KQLGATE_ROLE (default all, with the local stack), with the start-up banner. */
await runKqlgate({ watchKql: process.argv.includes('--watch'), banner: true });
