import 'graphiql/style.css';
import './graphiql.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiqlApp } from './graphiql-app.js';

createRoot(document.getElementById('app')!).render(createElement(GraphiqlApp));
