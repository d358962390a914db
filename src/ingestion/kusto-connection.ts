/** The demo's reconciler reaches the engine through this path; the connection lives in src/common/azure. */
export { kustoConnection } from '../common/azure/kusto-connection.js';
