import { useEffect, useRef, useState } from 'react';
import { formatValue } from '../../charts/series-math';
import type { ParamAxis } from './compare-data';

export interface PcAxis {
  label: string;
  values: Array<number | null>;
  /** Category names when the axis is categorical (values are their indices). */
  categories?: string[];
}

interface ParallelCoordinatesProps {
  axes: readonly PcAxis[];
  colors: readonly string[];
  labels: readonly string[];
  height?: number;
}

export function toPcAxis(axis: ParamAxis): PcAxis {
  return axis.kind === 'category' ? { label: axis.key, values: axis.values, categories: axis.categories } : { label: axis.key, values: axis.values };
}

/** One vertical axis per dimension, one polyline per run in its colour; drawn straight on a canvas. */
export function ParallelCoordinates({ axes, colors, labels, height = 300 }: ParallelCoordinatesProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const wrap = wrapRef.current;
    if (!wrap) return;
    const observer = new ResizeObserver(() => setWidth(Math.floor(wrap.clientWidth)));
    observer.observe(wrap);
    setWidth(Math.floor(wrap.clientWidth));
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const style = getComputedStyle(canvas);
    const text = style.getPropertyValue('--text').trim() || '#1c2127';
    const muted = style.getPropertyValue('--muted').trim() || '#5f6b7a';
    const font = style.getPropertyValue('--font').trim() || 'sans-serif';
    const top = 34;
    const bottom = height - 24;
    const left = 60;
    const right = width - 60;
    if (axes.length === 0) return;
    const xs = axes.map((_, i) => (axes.length === 1 ? (left + right) / 2 : left + ((right - left) * i) / (axes.length - 1)));
    const scales = axes.map((axis) => {
      if (axis.categories) {
        const n = axis.categories.length;
        return (v: number) => (n <= 1 ? (top + bottom) / 2 : bottom - ((bottom - top) * v) / (n - 1));
      }
      const present = axis.values.filter((v): v is number => v !== null);
      const min = Math.min(...present);
      const max = Math.max(...present);
      return (v: number) => (max === min ? (top + bottom) / 2 : bottom - ((bottom - top) * (v - min)) / (max - min));
    });

    // Lines first, axes on top so their labels stay readable.
    ctx.lineWidth = 1.5;
    ctx.globalAlpha = colors.length > 20 ? 0.55 : 0.85;
    for (let r = 0; r < colors.length; r++) {
      ctx.strokeStyle = colors[r]!;
      ctx.beginPath();
      let pen = false;
      axes.forEach((axis, a) => {
        const v = axis.values[r];
        if (v === null || v === undefined) {
          pen = false;
          return;
        }
        const y = scales[a]!(v);
        if (pen) ctx.lineTo(xs[a]!, y);
        else ctx.moveTo(xs[a]!, y);
        pen = true;
      });
      ctx.stroke();
      // A dot where the line meets each axis, so runs that share an extreme still read apart.
      ctx.fillStyle = colors[r]!;
      axes.forEach((axis, a) => {
        const v = axis.values[r];
        if (v === null || v === undefined) return;
        ctx.beginPath();
        ctx.arc(xs[a]!, scales[a]!(v), 3, 0, Math.PI * 2);
        ctx.fill();
      });
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = muted;
    ctx.lineWidth = 1;
    ctx.textAlign = 'center';
    axes.forEach((axis, a) => {
      const x = xs[a]!;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.fillStyle = text;
      ctx.font = `600 12px ${font}`;
      ctx.fillText(axis.label.length > 22 ? `${axis.label.slice(0, 21)}…` : axis.label, x, 14);
      ctx.fillStyle = muted;
      ctx.font = `11px ${font}`;
      if (axis.categories) {
        axis.categories.forEach((c, i) => ctx.fillText(c.length > 14 ? `${c.slice(0, 13)}…` : c, x, scales[a]!(i) - 4));
      } else {
        const present = axis.values.filter((v): v is number => v !== null);
        if (present.length > 0) {
          ctx.fillText(formatValue(Math.max(...present)), x, top - 6);
          ctx.fillText(formatValue(Math.min(...present)), x, bottom + 14);
        }
      }
    });
  }, [axes, colors, width, height]);

  return (
    <div className="parallel" ref={wrapRef} data-testid="parallel-coordinates">
      <canvas ref={canvasRef} role="img" aria-label={`Parallel coordinates of ${labels.length} runs over ${axes.map((a) => a.label).join(', ')}`} />
    </div>
  );
}
