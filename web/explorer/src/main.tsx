import { render } from 'preact';
import { ExplorerApp } from './explorer-app.js';
import './explorer.css';

render(<ExplorerApp />, document.getElementById('app')!);
