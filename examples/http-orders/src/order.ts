/** An order as the orders API returns it. */
export interface Order {
  id: number;
  status: 'pending' | 'shipped';
  total: number;
  currency: string;
  items: OrderItem[];
  createdAt: string;
}

/** One line of an order. */
export interface OrderItem {
  sku: string;
  quantity: number;
  price: number;
}

/** What a client sends to place an order. */
export interface NewOrder {
  items: OrderItem[];
  currency: string;
}
