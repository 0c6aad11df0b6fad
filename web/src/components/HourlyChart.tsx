import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';
import type { Stats } from '../api';
import { formatHour } from '../format';
import { flowColour, flowFailColour, sum } from './palette';

// Only what a bar chart needs, so the bundle stays small.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/**
 * Records synced and failed per hour: one bar per hour for synced records (stacked by flow) beside one
 * for failed records (stacked by flow). `only` shows one flow.
 */
export function HourlyChart({ stats, only }: { stats: Stats; only?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked: true, grid: { display: false } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            filter: (item) => Number(item.raw) > 0,
          },
        },
      },
    });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const datasets: ChartDataset<'bar', number[]>[] = [];
    stats.flows.forEach((f, i) => {
      if (only && f.name !== only) return;
      datasets.push({
        label: `${f.name} synced`,
        data: f.success,
        stack: 'synced',
        backgroundColor: flowColour(i),
      });
      datasets.push({
        label: `${f.name} failed`,
        data: f.failed,
        stack: 'failed',
        backgroundColor: flowFailColour(i),
      });
    });
    c.data.labels = stats.hours.map(formatHour);
    c.data.datasets = datasets;
    c.update();
  }, [stats, only]);

  const synced = stats.flows.reduce((n, f) => n + (only && f.name !== only ? 0 : sum(f.success)), 0);
  const failed = stats.flows.reduce((n, f) => n + (only && f.name !== only ? 0 : sum(f.failed)), 0);
  return (
    <div className="chart">
      <canvas
        ref={canvas}
        role="img"
        aria-label={`Records synced (${synced}) and failed (${failed}) per hour over the last ${stats.hours.length} hours${only ? ` for ${only}` : ''}`}
      />
    </div>
  );
}
