// Small browser helpers called through JS interop. No data from AWS is ever inserted as HTML here.
window.batchops = {
  timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
  getPreference: (key) => { try { return localStorage.getItem("batchops." + key); } catch { return null; } },
  setPreference: (key, value) => { try { localStorage.setItem("batchops." + key, value); } catch { } },
  copy: async (text) => { try { await navigator.clipboard.writeText(text); return true; } catch { return false; } },
};
