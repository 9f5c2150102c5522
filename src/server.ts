import { existsSync } from 'node:fs';
import { main } from './main.js';

// `npm start` runs this file. A .env in the working directory is read first; real
// environment variables win. Tests never import this file: they call buildApp().
if (existsSync('.env')) process.loadEnvFile('.env');
await main();
