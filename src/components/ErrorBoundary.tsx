import { Component, type ErrorInfo, type ReactNode } from 'react';
import { translate, type Locale } from '../lib/i18n';

interface Props {
  readonly locale: Locale;
  readonly children: ReactNode;
}

/** Catches rendering bugs: shows "something went wrong" with details to copy, instead of a blank page. */
export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div role="alert" className="alert error">
        <p>{translate(this.props.locale, 'error.unexpected')}</p>
        <pre>{`${error.name}: ${error.message}\n${error.stack ?? ''}`}</pre>
        <button type="button" className="button" onClick={() => this.setState({ error: null })}>
          {translate(this.props.locale, 'error.retry')}
        </button>
      </div>
    );
  }
}
