/**
 * examples/notebooks/quickstart.ipynb, executed headless the way a user's
 * Jupyter would run it: nbconvert with Deno's kernel. `.ci/run` installs
 * Debian's jupyter-nbconvert and the kernel; where they are missing the test
 * is skipped with a visible message.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

async function has(cmd: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return out.code === 0 &&
      (cmd !== "jupyter" ||
        new TextDecoder().decode(out.stdout).includes("deno"));
  } catch {
    return false;
  }
}

const ready = await has("jupyter-nbconvert", ["--version"]) &&
  await has("jupyter", ["kernelspec", "list"]);
if (!ready) {
  console.error(
    "SKIPPED notebook test: jupyter-nbconvert or the Deno kernel is not " +
      "installed (.ci/run installs them: apt-get install jupyter-nbconvert " +
      "python3-ipykernel; deno jupyter --install)",
  );
}

Deno.test({
  name: "the quick-start notebook runs headless and shows a table and charts",
  ignore: !ready,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const out = await new Deno.Command("jupyter-nbconvert", {
        args: [
          "--to",
          "notebook",
          "--execute",
          "--ExecutePreprocessor.kernel_name=deno",
          "--ExecutePreprocessor.timeout=600",
          "--output",
          `${dir}/out.ipynb`,
          "quickstart.ipynb",
        ],
        cwd: `${ROOT}examples/notebooks`,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const nb = JSON.parse(await Deno.readTextFile(`${dir}/out.ipynb`));
      // nbformat stores long strings as lists of lines.
      const join = (v: string | string[] | undefined) =>
        [v ?? []].flat().join("");
      const outputs = (nb.cells.flatMap((c: { outputs?: unknown[] }) =>
        c.outputs ?? []
      ) as {
        output_type: string;
        data?: Record<string, string | string[]>;
        text?: string | string[];
      }[]).map((o) => ({
        ...o,
        data: o.data &&
          Object.fromEntries(
            Object.entries(o.data).map(([k, v]) => [k, join(v)]),
          ),
      }));
      assert.ok(
        !outputs.some((o) => o.output_type === "error"),
        "a cell failed",
      );
      const display = outputs.find((o) => o.data?.["text/html"]);
      assert.ok(display, "no HTML output");
      assert.match(display!.data!["text/html"], /<table>[\s\S]*p90_ttft_s/);
      assert.match(display!.data!["text/html"], /mono[\s\S]*disagg/);
      const images = outputs.filter((o) => o.data?.["image/png"]);
      assert.equal(images.length, 2);
      for (const img of images) {
        // PNG signature, base64-encoded.
        assert.ok(img.data!["image/png"].startsWith("iVBORw0KGgo"));
      }
      const text = outputs.map((o) => join(o.text)).join("");
      assert.match(text, /p90 TTFT: mono \d+\.\d+ s, disagg \d+\.\d+ s/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
