/** The table of products windows shared by the open and closed window cards. */

import type { ComponentChildren } from "preact";
import { formatCount, formatDecimalText } from "../client/format.ts";
import type { ProductWindow } from "../server/dashboards.ts";

/** Props: the windows, the table's test id, and optionally one more column. */
export interface WindowTableProps<W extends ProductWindow> {
  windows: W[];
  testId: string;
  /** Header and cell of an extra last column. */
  extra?: { head: string; cell(window: W): ComponentChildren };
}

/** Start, end, records and the two sums of each window, one row each. */
export function WindowTable<W extends ProductWindow>(
  { windows, testId, extra }: WindowTableProps<W>,
) {
  return (
    <table class="data" data-testid={testId}>
      <thead>
        <tr>
          <th>Start (UTC)</th>
          <th>End (UTC)</th>
          <th class="num">Records</th>
          <th class="num">Sum of price</th>
          <th class="num">Sum of total</th>
          {extra && <th>{extra.head}</th>}
        </tr>
      </thead>
      <tbody>
        {windows.map((w, i) => (
          <tr key={i} data-start={w.start}>
            <td>{w.start}</td>
            <td>{w.end}</td>
            <td class="num">{formatCount(w.records)}</td>
            <td class="num">{formatDecimalText(w.sumPrice)}</td>
            <td class="num">{formatDecimalText(w.sumTotal)}</td>
            {extra && <td>{extra.cell(w)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
