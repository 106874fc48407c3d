/** A user account as the users API sends it. */
export interface User {
  id: number;
  name: string;
  email: string;
  roles: string[];
  createdAt: string;
}

/** What a client sends to create a user. */
export interface NewUser {
  name: string;
  email: string;
}
