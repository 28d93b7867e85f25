/** Renderer entry: applies the last theme before the first paint, connects the store, renders. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles/base.css';
import { App } from './components/shell/App';
import { startBridge } from './store/bridge';
import { useFerryStore } from './store/store';
import { applyTheme, loadTheme } from './theme';

// The settings hold the theme; this copy from the last run avoids a flash until they arrive.
const theme = loadTheme();
applyTheme(theme);
useFerryStore.getState().setThemeState(theme);
startBridge();

const root = document.getElementById('root');
if (!root) throw new Error('renderer: #root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
