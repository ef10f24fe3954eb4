import { Link } from 'wouter';

export function NotFoundPage() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <Link href="/">Back to my requests</Link>
      </p>
    </section>
  );
}
