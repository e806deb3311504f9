import { createLoopAuditRule } from '../src/eslint/create-rule.js';

export default createLoopAuditRule('no-sync-bridge');
