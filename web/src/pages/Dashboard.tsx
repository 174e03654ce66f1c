/**
 * Dashboard and analytics: open cases by state, weekly completions with the on-time rate,
 * turnaround per template, bottlenecks and where the time went (recharts). Every figure is the
 * API's (/dashboard, /analytics/*) for one practice or everything the caller sees.
 */
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../api/client';
import { useMe } from '../App';
import { useLoad, useTitle } from '../lib/hooks';
import { ok } from '../lib/result';
import { label } from '../lib/words';

const DAY = 86_400_000;
const COLORS = { a: '#1f5fa8', b: '#b3541e', c: '#2e7d32', d: '#6a1b9a', e: '#555555' };

export default function Dashboard() {
  useTitle('Dashboard');
  const me = useMe();
  const [practiceId, setPracticeId] = useState('');
  const [days, setDays] = useState(90);
  const q = { ...(practiceId ? { practiceId } : {}), from: new Date(Date.now() - days * DAY).toISOString() };
  const deps = [practiceId, days];
  const open = useLoad(async () => ok(await api.GET('/dashboard', { params: { query: { limit: 100, ...(practiceId ? { practiceId } : {}) } } })), [practiceId]);
  const weekly = useLoad(async () => ok(await api.GET('/analytics/weekly', { params: { query: q } })), deps);
  const turnaround = useLoad(async () => ok(await api.GET('/analytics/turnaround', { params: { query: q } })), deps);
  const bottlenecks = useLoad(async () => ok(await api.GET('/analytics/bottlenecks', { params: { query: q } })), deps);
  const split = useLoad(async () => ok(await api.GET('/analytics/time-split', { params: { query: q } })), deps);
  const rework = useLoad(async () => ok(await api.GET('/analytics/rework', { params: { query: q } })), deps);

  const byState = new Map<string, number>();
  for (const r of open.data?.items ?? []) if (r.state) byState.set(r.state, (byState.get(r.state) ?? 0) + 1);
  const stateData = [...byState].map(([state, n]) => ({ state: label(state), cases: n }));
  const weeks = (weekly.data?.weeks ?? []).map((w) => ({ week: w.week.slice(0, 10), completed: w.completed, cancelled: w.cancelled, onTimePct: w.onTimeRate === null ? null : Math.round(w.onTimeRate * 100) }));
  const templates = (turnaround.data?.templates ?? []).map((t) => ({ name: t.templateName ?? 'template', p50: t.p50Hours, p90: t.p90Hours, cases: t.cases }));
  const slow = (bottlenecks.data?.tasks ?? []).slice(0, 8).map((t) => ({ name: t.name, latePct: t.lateRate === null ? 0 : Math.round(t.lateRate * 100), excessHours: Math.round(t.excessHours) }));
  const h = split.data?.hours;
  const splitData = h ? [{ name: 'Hours', practice: h.practice, onHold: h.onHold, labQueue: h.labQueue, labActive: h.labActive, automatic: h.automatic }] : [];
  const errors = [open, weekly, turnaround, bottlenecks, split, rework].map((x) => x.error).filter(Boolean);

  return (
    <>
      <h1>Dashboard</h1>
      <form className="filters" aria-label="Period and practice" onSubmit={(e) => e.preventDefault()}>
        {me && me.memberships.length > 0 && (
          <label>
            Practice
            <select value={practiceId} onChange={(e) => setPracticeId(e.target.value)}>
              <option value="">All I can see</option>
              {me.memberships.map((m) => (
                <option key={m.practiceId} value={m.practiceId}>
                  {m.practiceName}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Period
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={30}>Last 30 days</option>
            <option value={90}>Last 90 days</option>
            <option value={365}>Last year</option>
          </select>
        </label>
      </form>
      {errors.length > 0 && (
        <p role="alert" className="error">
          {errors[0]}
        </p>
      )}
      <div className="charts">
        <Chart title="Open cases by state" empty={!stateData.length}>
          <BarChart data={stateData}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="state" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Bar dataKey="cases" name="Cases" fill={COLORS.a} />
          </BarChart>
        </Chart>
        <Chart title="Finished per week and on-time rate" empty={!weeks.length}>
          <LineChart data={weeks}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="week" />
            <YAxis yAxisId="n" allowDecimals={false} />
            <YAxis yAxisId="pct" orientation="right" domain={[0, 100]} unit="%" />
            <Tooltip />
            <Legend />
            <Line yAxisId="n" dataKey="completed" name="Completed" stroke={COLORS.a} />
            <Line yAxisId="n" dataKey="cancelled" name="Cancelled" stroke={COLORS.b} />
            <Line yAxisId="pct" dataKey="onTimePct" name="On time %" stroke={COLORS.c} />
          </LineChart>
        </Chart>
        <Chart title="Turnaround per template (hours)" empty={!templates.length}>
          <BarChart data={templates}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="name" />
            <YAxis />
            <Tooltip />
            <Legend />
            <Bar dataKey="p50" name="Median" fill={COLORS.a} />
            <Bar dataKey="p90" name="90th percentile" fill={COLORS.b} />
          </BarChart>
        </Chart>
        <Chart title="Bottlenecks: tasks most often late" empty={!slow.length}>
          <BarChart data={slow} layout="vertical">
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" unit="%" domain={[0, 100]} />
            <YAxis type="category" dataKey="name" width={150} />
            <Tooltip />
            <Bar dataKey="latePct" name="Late %" fill={COLORS.b} />
          </BarChart>
        </Chart>
        <Chart title={`Where the time went (${split.data?.cases ?? 0} cases, hours)`} empty={!splitData.length || !h || Object.values(h).every((v) => !v)}>
          <BarChart data={splitData} layout="vertical">
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" />
            <YAxis type="category" dataKey="name" hide />
            <Tooltip />
            <Legend />
            <Bar dataKey="practice" stackId="t" name="At the practice" fill={COLORS.a} />
            <Bar dataKey="onHold" stackId="t" name="On hold" fill={COLORS.e} />
            <Bar dataKey="labQueue" stackId="t" name="Lab queue" fill={COLORS.b} />
            <Bar dataKey="labActive" stackId="t" name="Lab work" fill={COLORS.c} />
            <Bar dataKey="automatic" stackId="t" name="Automatic" fill={COLORS.d} />
          </BarChart>
        </Chart>
      </div>
      {rework.data && (
        <p>
          Rework: {rework.data.reworkedCases} of {rework.data.finishedCases} finished cases
          {rework.data.reworkRate !== null ? ` (${Math.round(rework.data.reworkRate * 100)} %)` : ''}.
        </p>
      )}
    </>
  );
}

function Chart({ title, empty, children }: { title: string; empty: boolean; children: React.ReactElement }) {
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {empty ? (
        <p className="muted">No data for this period.</p>
      ) : (
        <div className="chart-box">
          <ResponsiveContainer width="100%" height={240}>
            {children}
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}
