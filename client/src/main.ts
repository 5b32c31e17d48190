import { mount } from 'svelte';
import App from './App.svelte';
import { i18n, loadLanguage } from './i18n/i18n.svelte';
import './styles.css';

const start = () => mount(App, { target: document.getElementById('app')! });
// A Finnish or Swedish page waits for its catalogue (its own chunk) rather than flash English;
// English is in the main bundle and mounts at once. Offline without the chunk: English.
if (i18n.language === 'en') start();
else void loadLanguage(i18n.language).then(start, start);
