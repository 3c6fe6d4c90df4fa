// A Plotly figure packed by geometry/charts/packed.py: inflated, unpacked into the same figure and
// drawn with the Plotly.js Streamlit itself ships (its PlotlyChart chunk sets window.Plotly). A click
// on a point is kept as a selection shaped like st.plotly_chart's: {points: [{customdata, ...}]}.

const inflate = async (bytes) => {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
};

const TYPED = { "<u2": Uint16Array, "<i4": Int32Array, "<f8": Float64Array };

// The steps of geometry.charts.packed.unpack: (offset + stored) / scale for every packed array.
const unpack = (raw) => {
  const length = new DataView(raw.buffer, raw.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(raw.subarray(4, 4 + length)));
  let at = 4 + length;
  const arrays = header.arrays.map((entry) => {
    const Type = TYPED[entry.dtype];
    const bytes = raw.slice(at, at + entry.length * Type.BYTES_PER_ELEMENT); // a copy: aligned
    at += bytes.byteLength;
    const stored = new Type(bytes.buffer);
    return Float64Array.from(stored, (value) => (entry.offset + value) / entry.scale);
  });
  const data = header.data.map((trace) => {
    const copy = { ...trace };
    for (const [key, value] of Object.entries(trace)) {
      if (value !== null && typeof value === "object" && "packed" in value) copy[key] = arrays[value.packed];
    }
    return copy;
  });
  return { data, layout: header.layout };
};

const plotlyLibrary = (chunk) => {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  const app = document.querySelector("script[src*='/static/js/index.']");
  const url = new URL(chunk, app ? app.src : new URL("static/js/", document.baseURI)).href;
  return import(/* @vite-ignore */ url).then(() => window.Plotly);
};

const sameBytes = (a, b) => {
  if (!a || !b || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i += 1) if (a[i] !== b[i]) return false;
  return true;
};

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".packed-plotly");
  if (!root || !data) return undefined;
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (sameBytes(root.__packed, bytes)) return undefined; // a rerun that changed nothing here
  root.__packed = bytes;
  const run = (root.__run || 0) + 1;
  root.__run = run;
  const config = JSON.parse(root.dataset.config || "{}");
  Promise.all([inflate(bytes).then(unpack), plotlyLibrary(root.dataset.chunk)])
    .then(([figure, Plotly]) => {
      if (root.__run !== run) return undefined; // newer data arrived meanwhile
      return Plotly.react(root, figure.data, figure.layout, { ...config, responsive: true }).then(() => {
        if (root.__clicks) return;
        root.__clicks = true;
        root.on("plotly_click", (event) => {
          const point = event.points && event.points[0];
          if (!point) return;
          const picked = {
            customdata: point.customdata,
            curve_number: point.curveNumber,
            point_index: point.pointIndex,
            x: point.x,
            y: point.y,
          };
          setStateValue("selection", { points: [picked] });
        });
      });
    })
    .catch((error) => {
      root.textContent = `The map could not be drawn here (${error}). Reload the page to try again.`;
    });
  return undefined;
}
