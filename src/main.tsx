import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { restoreSession, startAutosave } from './state/persistence';
import { useAppStore } from './state/store';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
startAutosave(useAppStore);
void restoreSession(useAppStore);
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
