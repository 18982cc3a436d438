// Small browser helpers called through JS interop. No data from AWS is ever inserted as HTML here.
window.batchops = {
  // Everything the layout needs from the browser, in one round trip once the circuit is interactive.
  preferences: () => {
    let utc = null, theme = null;
    try { utc = localStorage.getItem("batchops.utc"); theme = localStorage.getItem("batchops.theme"); } catch { }
    return {
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
      utc: utc === "true",
      theme: theme,
      systemDark: !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches),
    };
  },
  setPreference: (key, value) => { try { localStorage.setItem("batchops." + key, value); } catch { } },
  copy: async (text) => { try { await navigator.clipboard.writeText(text); return true; } catch { return false; } },
};
