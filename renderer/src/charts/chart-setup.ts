import { CategoryScale, Chart, Filler, LineController, LineElement, LinearScale, PointElement } from 'chart.js';

// Only the pieces the sparklines use, so the rest of chart.js is tree-shaken away.
Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler);

export { Chart };
