import { useTitle } from "../hooks";
import { Link } from "../router";

export function NotFoundScreen() {
  useTitle("Not found");
  return (
    <section>
      <h1>No such page</h1>
      <p>
        There is nothing at <code>{location.pathname}</code>. Go to <Link href="/now">Now</Link>.
      </p>
    </section>
  );
}
