import { contextBridge, ipcRenderer } from 'electron';
import { createIpcBridge } from './ipc-bridge';

contextBridge.exposeInMainWorld('orrery', createIpcBridge(ipcRenderer));
