// stratum-sdk/conformance's types: deviation ids are the spec's, not any string; reports are typed.
import { expectTypeOf, test } from 'vitest';
import { documented } from '../../src/conformance/deviations.js';
import { SPEC_DEVIATIONS, trafficReport, type SpecDeviationId, type TrafficReport, type TrafficSummary } from '../../src/conformance.js';

test('deviation ids are a closed union from the spec', () => {
  expectTypeOf<'authorize-error-strings'>().toMatchTypeOf<SpecDeviationId>();
  expectTypeOf<string>().not.toMatchTypeOf<SpecDeviationId>();
  expectTypeOf(SPEC_DEVIATIONS['ping-fixed-id'].software).toEqualTypeOf<readonly string[]>();
  // @ts-expect-error an id the spec does not have does not compile
  documented('no-such-deviation', 'reason');
});

test('trafficReport returns the shared report with the traffic kept', () => {
  expectTypeOf(trafficReport).returns.toEqualTypeOf<TrafficReport>();
  expectTypeOf<TrafficReport['traffic'][number]['summary']>().toEqualTypeOf<TrafficSummary>();
});
