import Database from 'better-sqlite3';
import type { NewOrder, Order, OrderItem } from './order.js';

interface OrderRow {
  id: number;
  status: Order['status'];
  currency: string;
  items: string;
  created_at: string;
}

/** Orders in SQLite: the provider's real storage, which provider states set up. */
export class OrderStore {
  private readonly db: Database.Database;

  constructor(file = ':memory:') {
    this.db = new Database(file);
    this.db.exec(`CREATE TABLE IF NOT EXISTS orders (
      id INTEGER PRIMARY KEY,
      status TEXT NOT NULL,
      currency TEXT NOT NULL,
      items TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`);
  }

  private static toOrder(row: OrderRow): Order {
    const items = JSON.parse(row.items) as OrderItem[];
    const total = Math.round(items.reduce((sum, i) => sum + i.price * i.quantity, 0) * 100) / 100;
    return {
      id: row.id,
      status: row.status,
      total,
      currency: row.currency,
      items,
      createdAt: row.created_at,
    };
  }

  get(id: number): Order | undefined {
    const row = this.db.prepare('SELECT * FROM orders WHERE id = ?').get(id) as OrderRow | undefined;
    return row === undefined ? undefined : OrderStore.toOrder(row);
  }

  list(status?: Order['status']): Order[] {
    const rows = (
      status === undefined
        ? this.db.prepare('SELECT * FROM orders ORDER BY id').all()
        : this.db.prepare('SELECT * FROM orders WHERE status = ? ORDER BY id').all(status)
    ) as OrderRow[];
    return rows.map((r) => OrderStore.toOrder(r));
  }

  place(order: NewOrder, options: { id?: number; status?: Order['status']; createdAt?: string } = {}): Order {
    const info = this.db
      .prepare('INSERT INTO orders (id, status, currency, items, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(
        options.id ?? null,
        options.status ?? 'pending',
        order.currency,
        JSON.stringify(order.items),
        options.createdAt ?? new Date().toISOString(),
      );
    return this.get(Number(info.lastInsertRowid)) as Order;
  }

  clear(): void {
    this.db.exec('DELETE FROM orders');
  }

  close(): void {
    this.db.close();
  }
}
