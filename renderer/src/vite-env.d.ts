/// <reference types="vite/client" />
// Vite's ambient types: lets TypeScript accept `import './x.css'` and knows import.meta.env.
