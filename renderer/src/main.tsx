import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickClient } from './api/pick-transport';
import { ClientProvider } from './api/client-context';
import { App } from './components/App';
import { TokenPage } from './components/TokenPage';
import { createAppStore } from './stores/app-store';
import { createHardwareStore } from './stores/hardware-store';
import { StoresProvider, type Stores } from './stores/stores-context';
import './styles/base.css';
import './styles/app.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html lacks #root');
const root = createRoot(container);

const choice = pickClient();
if (choice.kind === 'no-token') {
  root.render(<TokenPage />);
} else {
  const stores: Stores = { app: createAppStore(choice.client), hardware: createHardwareStore(choice.client) };
  root.render(
    <StrictMode>
      <ClientProvider client={choice.client}>
        <StoresProvider stores={stores}>
          <App />
        </StoresProvider>
      </ClientProvider>
    </StrictMode>,
  );
}
