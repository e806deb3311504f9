import { runAsWorker } from 'synckit';
import { echo } from './target.mjs';

runAsWorker(echo);
